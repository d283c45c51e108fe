// A pass-through HTTP proxy in front of Prism that writes down every violation Prism reports,
// so scripts/prism-conformance can print and count them after the run:
//   - an answer Prism made itself (application/problem+json of type .../prism/errors#...):
//     a request that breaks the document (422, 401, ...), or with --errors a response that
//     breaks it (500 #VIOLATIONS, with the list of violations);
//   - an `sl-violations` header on a forwarded answer (violations of warning severity).
// One JSON object per line in the log file.
//   node mock/openapi/violations.mjs UPSTREAM_URL LOG_FILE   (prints "listening on URL")
import { appendFileSync } from "node:fs";
import http from "node:http";

const [upstream, logFile] = process.argv.slice(2);
if (!upstream || !logFile) {
  console.error("usage: violations.mjs UPSTREAM_URL LOG_FILE");
  process.exit(2);
}
const target = new URL(upstream);
// A new connection to Prism per request: a kept-alive one that Prism closes (after its 5 s
// idle timeout) while a request is being sent on it would reset that request.
const agent = new http.Agent({ keepAlive: false, maxSockets: 256 });
const record = (entry) => appendFileSync(logFile, JSON.stringify(entry) + "\n");

const server = http.createServer((req, res) => {
  const out = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
    (up) => {
      const chunks = [];
      up.on("data", (c) => chunks.push(c));
      up.on("end", () => {
        const body = Buffer.concat(chunks);
        const type = String(up.headers["content-type"] ?? "");
        if (type.startsWith("application/problem+json")) {
          let problem = null;
          try {
            problem = JSON.parse(body.toString("utf8"));
          } catch {}
          if (problem && String(problem.type ?? "").includes("stoplight.io/prism/errors#"))
            record({ method: req.method, path: req.url, status: up.statusCode, by: "prism", problem });
        }
        if (up.headers["sl-violations"])
          record({ method: req.method, path: req.url, status: up.statusCode, by: "header",
                   violations: up.headers["sl-violations"] });
        res.writeHead(up.statusCode, up.headers);
        res.end(body);
      });
    },
  );
  out.on("error", (e) => {
    record({ method: req.method, path: req.url, status: 0, by: "proxy", error: String(e) });
    res.destroy(); // as the upstream did: the client sees the dropped connection
  });
  req.pipe(out);
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
