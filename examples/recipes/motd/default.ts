// recipe[motd]: a message of the day naming the host's admins, and a weekly reminder to them.
// A worked example of a user's own recipe (README, "Writing a recipe"); the tests converge it.
import type { Recipe } from "s3-converge/recipe";

interface MotdAttributes {
  message?: string;
  admins?: string[];
}

const recipe: Recipe = (r) => {
  const { message = "This host is managed by converge.", admins = [] }: MotdAttributes = r.attributes.motd ?? {};
  r.template_file("/etc/motd", { source: "motd.hbs", variables: { message, admins }, mode: "0644" });
  if (admins.length) {
    r.cron_entry("motd-reminder", {
      weekday: "mon",
      hour: "9",
      minute: "0",
      command: "/usr/bin/uptime",
      mailto: admins.join(","),
    });
  }
  r.include("motd::banner");
};

export default recipe;
