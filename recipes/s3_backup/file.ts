// recipe[s3_backup::file]: an s3_file_backup for each entry of attributes.s3_backup.file, e.g.
//   "attributes": { "s3_backup": { "file": { "site": { "assets": ["/var/www"], "s3": { ... }, "cron": { "hour": "2" } } } } }
import type { Recipe } from "../../engine/recipe-api.js";
import { declareBackups } from "./_attributes.js";

const recipe: Recipe = (r) => declareBackups(r, "file");
export default recipe;
