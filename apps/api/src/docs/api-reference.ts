// The API reference page at /docs: the OpenAPI document (built from core's contract) rendered to one
// HTML page on the server, with its stylesheet served beside it. No script and nothing from a CDN, so
// it works offline and under a strict content-security-policy.

type Json = Record<string, unknown>;
type Operation = {
  operationId: string;
  summary: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Json }[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: Json } } };
  responses: Record<string, { description: string; content?: { 'application/json': { schema?: Json } } }>;
  'x-scope'?: string | string[];
  'x-feature'?: string;
  'x-operator-only'?: boolean;
};
export type OpenApiDocument = { info: { title: string; version: string; description: string }; paths: Record<string, Record<string, unknown>> };

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (text: string) => `<code>${escape(text)}</code>`;

/** A JSON Schema's type in a few words: `string (uuid)`, `"a" | "b"`, `array of object`. */
function typeOf(schema: Json | undefined): string {
  if (!schema) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (union) return union.map(typeOf).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  if (type === 'array') return `array of ${typeOf(schema.items as Json | undefined)}`;
  return schema.format ? `${type} (${String(schema.format)})` : type;
}

/** Object schemas as nested field lists (name, type, required, description); others as their type. */
function fields(schema: Json | undefined, depth = 0): string {
  const target = schema?.type === 'array' ? (schema.items as Json | undefined) : schema;
  const properties = target?.properties as Record<string, Json> | undefined;
  if (!properties || depth > 4) return '';
  const required = new Set((target?.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(([name, property]) => {
    const note = property.description ? ` — ${escape(String(property.description))}` : '';
    return `<li>${code(name)} <span class="type">${escape(typeOf(property))}</span>${required.has(name) ? ' <span class="req">required</span>' : ''}${note}${fields(property, depth + 1)}</li>`;
  });
  return `<ul class="fields">${rows.join('')}</ul>`;
}

function schemaBlock(title: string, schema: Json | undefined): string {
  if (!schema) return `<p><strong>${escape(title)}</strong>: no body</p>`;
  return `<div class="schema"><p><strong>${escape(title)}</strong> <span class="type">${escape(typeOf(schema))}</span></p>${fields(schema)}<details><summary>JSON Schema</summary><pre>${escape(JSON.stringify(schema, null, 2))}</pre></details></div>`;
}

function access(op: Operation): string {
  if (op['x-operator-only']) return 'operator token (<code>DISPATCH_ADMIN_TOKEN</code>)';
  const scope = op['x-scope'];
  const scopes = (Array.isArray(scope) ? scope : scope ? [scope] : []).map(code).join(' or ');
  return `API key with ${scopes || 'any scope'}${op['x-feature'] ? ` and the workspace feature ${code(op['x-feature'])}` : ''}`;
}

function operation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? []).map(
    (p) => `<li>${code(p.name)} <span class="where">${escape(p.in)}</span> <span class="type">${escape(typeOf(p.schema))}</span>${p.required ? ' <span class="req">required</span>' : ''}${p.description ? ` — ${escape(p.description)}` : ''}</li>`,
  );
  const answers = Object.entries(op.responses)
    .filter(([status]) => status !== 'default')
    .map(([status, answer]) => schemaBlock(status, answer.content?.['application/json'].schema));
  return [
    `<section class="op" id="${escape(op.operationId)}">`,
    `<h3><span class="method ${method}">${method.toUpperCase()}</span> ${code(path)}</h3>`,
    `<p>${escape(op.summary)}</p>`,
    `<p class="access">Auth: ${access(op)} · <a href="#${escape(op.operationId)}">${escape(op.operationId)}</a></p>`,
    params.length ? `<p><strong>Parameters</strong></p><ul class="fields">${params.join('')}</ul>` : '',
    op.requestBody ? schemaBlock(`Request body${op.requestBody.required ? '' : ' (optional)'}`, op.requestBody.content['application/json'].schema) : '',
    ...answers,
    '<p class="errors">Errors: the contract\'s error shape (<code>{ "error": { "code", "message", "details", "requestId" } }</code>).</p>',
    '</section>',
  ].join('\n');
}

/** Operations grouped by the first segment of their path (`/api/webhooks-manage/...` → webhooks-manage). */
export function renderApiReference(doc: OpenApiDocument): string {
  const groups = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    const group = path.split('/')[2] ?? 'api';
    for (const [method, op] of Object.entries(methods) as [string, Operation][]) {
      groups.set(group, [...(groups.get(group) ?? []), operation(method, path, op)]);
      toc.set(group, [...(toc.get(group) ?? []), `<li><a href="#${escape(op.operationId)}">${method.toUpperCase()} ${escape(path)}</a></li>`]);
    }
  }
  const nav = [...toc].map(([group, items]) => `<li><a href="#group-${escape(group)}">${escape(group)}</a><ul>${items.join('')}</ul></li>`).join('');
  const body = [...groups].map(([group, ops]) => `<h2 id="group-${escape(group)}">${escape(group)}</h2>\n${ops.join('\n')}`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} API reference</title><link rel="stylesheet" href="/docs/reference.css"></head>
<body><nav><p><strong>${escape(doc.info.title)} API ${escape(doc.info.version)}</strong></p><p><a href="/api/openapi.json">OpenAPI document</a></p><ul>${nav}</ul></nav>
<main><h1>${escape(doc.info.title)} API reference</h1>
<p>Base path <code>/api</code>; JSON in and out; <code>Authorization: Bearer &lt;API key or operator token&gt;</code>. Machine-readable: <a href="/api/openapi.json"><code>/api/openapi.json</code></a>.</p>
<pre class="choices">${escape(doc.info.description)}</pre>
${body}
</main></body></html>
`;
}

export const API_REFERENCE_CSS = `body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2330;display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:300px;flex:none;padding:1rem;background:#f4f5f8;font-size:13px;box-sizing:border-box}
nav ul{list-style:none;padding-left:.8rem;margin:.2rem 0}nav a{overflow-wrap:anywhere}main{padding:1rem 2rem;max-width:920px;min-width:0}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f5f8;padding:.6rem;overflow:auto;white-space:pre-wrap}
.op{border-top:1px solid #dde;padding:.5rem 0}.method{display:inline-block;min-width:4.2em;font-size:12px;color:#fff;border-radius:3px;padding:0 .4em;text-align:center;background:#556}
.method.get{background:#2a7}.method.post{background:#27c}.method.patch{background:#c82}.method.delete{background:#c33}
.type{color:#646}.req{color:#c33;font-size:12px}.where{color:#778;font-size:12px}.access,.errors{color:#556;font-size:13px}
.fields{margin:.2rem 0;padding-left:1.2rem}@media(max-width:700px){body{display:block}nav{position:static;width:auto;height:auto}}
`;
