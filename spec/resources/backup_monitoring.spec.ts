// A backup's monitoring through converge, on real parts: s3_file_backup with metrics and a
// healthcheck, converged in a sandbox where Debian's node_exporter directory belongs to root;
// then Debian's prometheus-node-exporter, running as its own user with the textfile collector on
// that directory, is scraped over loopback before any run, after a good run and after a failed
// one, while a local HTTP server records the check-in pings.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { s3Properties, secretsEnv } from "../support/backup-run-list.js";
import { createBucket } from "../support/s3-server.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");
const COLLECTOR = "/var/lib/prometheus/node-exporter";
const LINK = `${COLLECTOR}/s3_backup_site.prom`;
const TOKEN = "0f1e2d3c-4b5a-4000-8000-7e57c0ffee00";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The value of one sample in a scrape, by metric name and a label fragment. */
function value(scrape: string, metric: string, labels = ""): number | undefined {
  const line = scrape.split("\n").find((l) => l.startsWith(`${metric}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("s3_file_backup with metrics and a healthcheck", () => {
  let sb: Sandbox;
  let bucket: string;
  let pings: { path: string; body: string }[];
  let server: Server;
  let hcBase: string;
  const env = () => ({ ...secretsEnv(s3), HC_URL: `${hcBase}/ping/${TOKEN}` });
  const runList = (action = "create") => ({
    run_list: [
      {
        type: "s3_file_backup",
        name: "site",
        action,
        properties: {
          assets: ["/var/lib/spec-site"],
          s3: s3Properties(s3, bucket),
          host: "web1",
          metrics: { textfile_dir: COLLECTOR },
          healthcheck: { env: "HC_URL" },
        },
      },
    ],
  });

  beforeAll(async () => {
    pings = [];
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        pings.push({ path: req.url!, body });
        res.end("OK");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    hcBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sb = await Sandbox.create();
    bucket = await createBucket(s3, "monitor");
    await sb.letEveryoneReach(PROJECT_ROOT);
    await sb.sh("mkdir -p /var/lib/spec-site && echo hello > /var/lib/spec-site/index.html");
  });
  afterAll(async () => {
    await sb.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("why-run names the metrics entry, writes nothing; converge makes it without touching node_exporter's directory", async () => {
    const before = await sb.sh(`stat -c '%U:%G %a' ${COLLECTOR}`);
    const plan = await sb.converge(runList(), ["--why-run"], env());
    expect(plan.exitCode, plan.stderr).toBe(3);
    expect(plan.stdout).toContain(`  * node_exporter_textfile[${LINK}] action create`);
    expect(plan.stdout).toContain(
      `    - Would create directory ${COLLECTOR}/s3_backup_site.d owned by backup_site, mode 0755`,
    );
    expect(plan.stdout).toContain(`    - Would link ${LINK} to s3_backup_site.d/s3_backup_site.prom`);
    expect((await sb.sh(`ls -A ${COLLECTOR}`)).stdout).toBe("");

    const r = await sb.converge(runList(), [], env());
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    const st = await sb.sh(
      `stat -c '%U:%G %a' ${COLLECTOR}; stat -c '%N %U' ${LINK}; stat -c '%n %U:%G %a' ${COLLECTOR}/s3_backup_site.d; stat -c '%n %U:%G %a %s' ${COLLECTOR}/s3_backup_site.d/s3_backup_site.prom`,
    );
    expect(st.stdout.split("\n")).toEqual([
      before.stdout,
      `'${LINK}' -> 's3_backup_site.d/s3_backup_site.prom' root`,
      `${COLLECTOR}/s3_backup_site.d backup_site:backup_site 755`,
      `${COLLECTOR}/s3_backup_site.d/s3_backup_site.prom backup_site:backup_site 644 0`,
    ]);
    // The URL is in the job's config (0600, the backup user's) and nowhere else converge wrote.
    const cfg = await sb.sh("cat /var/lib/backup_site/config.yml; crontab -u backup_site -l 2>&1 || true");
    expect(cfg.stdout).toContain(`healthcheck: ${hcBase}/ping/${TOKEN}`);
    expect(cfg.stdout).toContain(`textfile_dir: ${COLLECTOR}/s3_backup_site.d`);
    const again = await sb.converge(runList(), [], env());
    expect(again.stdout).toContain("converge: 0/");
  });

  it("node_exporter scrapes the backup's metrics after a good and a failed run; pings go start, success, start, fail", async () => {
    const port = await freePort();
    const scrape = `${process.execPath} -e "fetch('http://127.0.0.1:${port}/metrics').then(r => r.text()).then(t => process.stdout.write(t))"`;
    const job =
      "runuser -u backup_site -- env -i HOME=/var/lib/backup_site LOGNAME=backup_site SHELL=/bin/sh PATH=/usr/bin:/bin /var/lib/backup_site/s3-backup.sh";
    const r = await sb.sh(`
      setpriv --reuid=prometheus --regid=prometheus --init-groups prometheus-node-exporter \\
        --web.listen-address=127.0.0.1:${port} --collector.disable-defaults --collector.textfile \\
        --collector.textfile.directory=${COLLECTOR} >/tmp/node-exporter-$$.log 2>&1 &
      exporter=$!
      trap 'kill $exporter' EXIT
      scrape() { for i in $(seq 100); do ${scrape} 2>/dev/null && return; sleep 0.1; done; return 1; }
      echo "=== before"; scrape
      echo "=== run"; ${job} >&2 && echo "exit 0" || echo "exit $?"
      echo "=== good"; scrape
      chmod 000 /var/lib/spec-site; ${job} >/dev/null 2>&1 && echo "exit 0" || echo "exit $?"; chmod 755 /var/lib/spec-site
      echo "=== failed"; scrape
      echo "=== promtool"; promtool check metrics < ${LINK} && echo clean
    `);
    expect(r.exitCode, r.stderr).toBe(0);
    const [, before, run, good, failed, lint] = r.stdout.split(/^=== \w+\n/m);
    expect(run.trim(), r.stderr).toBe("exit 0");
    expect(lint.trim()).toBe("clean");
    // An empty file before the first run: nothing of the backup yet, and no scrape error.
    expect(value(before, "node_scrape_collector_success", 'collector="textfile"')).toBe(1);
    expect(before).toContain("node_textfile_scrape_error 0");
    expect(before).not.toMatch(/^s3_backup_/m);
    const id = 'backup="site",host="web1"';
    expect(good).toContain("node_textfile_scrape_error 0");
    expect(value(good, "s3_backup_last_run_success", id)).toBe(1);
    expect(value(good, "s3_backup_item_success", 'item="var_lib_spec-site"')).toBe(1);
    expect(value(good, "s3_backup_last_run_objects", id)).toBe(1);
    const lastSuccess = value(good, "s3_backup_last_success_timestamp_seconds", id)!;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(300);

    expect(failed).toContain("node_textfile_scrape_error 0");
    expect(value(failed, "s3_backup_last_run_success", id)).toBe(0);
    expect(value(failed, "s3_backup_item_success", 'item="var_lib_spec-site"')).toBe(0);
    expect(value(failed, "s3_backup_last_success_timestamp_seconds", id)).toBe(lastSuccess);
    expect(value(failed, "s3_backup_last_run_end_timestamp_seconds", id)).toBeGreaterThan(lastSuccess);

    expect(pings.map((p) => p.path)).toEqual([
      `/ping/${TOKEN}/start`,
      `/ping/${TOKEN}`,
      `/ping/${TOKEN}/start`,
      `/ping/${TOKEN}/fail`,
    ]);
    expect(pings[3].body).toMatch(
      /^s3-backup site: FAILED \(\w+\): 0\/1 objects backed up in [\d.]+ s; failed: var_lib_spec-site: /,
    );
  });

  it("puts back the metrics directory's owner, group and mode when they drift", async () => {
    const dir = `${COLLECTOR}/s3_backup_site.d`;
    await sb.sh(`chgrp root ${dir} && chmod 0777 ${dir}`);
    const r = await sb.converge(runList(), [], env());
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`change group of ${dir} from 'root' to 'backup_site'`);
    expect(r.stdout).toContain(`change mode of ${dir} from '0777' to '0755'`);
    expect((await sb.sh(`stat -c '%U:%G %a' ${dir}`)).stdout).toBe("backup_site:backup_site 755");
  });

  it("refuses to replace a .prom file that is not its link", async () => {
    await sb.sh(`rm ${LINK} && echo 'other_metric 1' > ${LINK}`);
    const r = await sb.converge(runList(), [], env());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${LINK} exists and is not a link; move it away`);
    expect((await sb.sh(`cat ${LINK}`)).stdout).toBe("other_metric 1");
    await sb.sh(`rm ${LINK}`);
    expect((await sb.converge(runList(), [], env())).exitCode).toBe(0);
  });

  it("remove takes the link and the backup's directory, and leaves node_exporter's directory as it was", async () => {
    const r = await sb.converge(runList("remove"), [], env());
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`- remove link ${LINK}`);
    expect((await sb.sh(`ls -A ${COLLECTOR}; stat -c '%U:%G %a' ${COLLECTOR}`)).stdout).toBe("root:root 755");
  });

  it("a textfile directory that does not exist fails the entry, naming what to do", async () => {
    const doc = runList();
    (doc.run_list[0].properties.metrics as { textfile_dir: string }).textfile_dir = "/var/lib/no-exporter";
    const r = await sb.converge(doc, ["--why-run"], env());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("/var/lib/no-exporter does not exist: install prometheus-node-exporter");
  });
});
