// The gateway's web page (GET /). Placeholder: the page itself is built separately against
// the JSON contract (GET /locks?detail=true, DELETE of a lock URL).

/** The HTML of the gateway's web page. */
export function webPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>zkurator gateway</title></head>
<body>
<h1>zkurator gateway</h1>
<p>The live page is not built yet. The API: <a href="/locks?detail=true">/locks?detail=true</a>.</p>
</body>
</html>
`;
}
