// recipe[s3_backup]: does nothing, as in the cookbook; the work is in ::file and ::mysql.
import type { Recipe } from "../../engine/recipe-api.js";

const recipe: Recipe = () => {};
export default recipe;
