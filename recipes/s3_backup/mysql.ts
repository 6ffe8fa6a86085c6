// recipe[s3_backup::mysql]: an s3_mysql_backup for each entry of attributes.s3_backup.mysql, e.g.
//   "attributes": { "s3_backup": { "mysql": { "shop": { "databases": ["shop"], "mysql": { "password": { "env": "DB_PW" } }, ... } } } }
import type { Recipe } from "../../engine/recipe-api.js";
import { declareBackups } from "./_attributes.js";

const recipe: Recipe = (r) => declareBackups(r, "mysql");
export default recipe;
