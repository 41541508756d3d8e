// Validates an AsyncAPI document with the official AsyncAPI parser and an OpenAPI document with
// swagger-parser. Usage: node check.mjs ASYNCAPI.yaml OPENAPI.yaml
// Prints one line per problem ("asyncapi: ..." / "openapi: ...") and exits 1 when either document has an
// error or a warning; informational hints (such as a newer AsyncAPI version existing) are printed only.
import { Parser, fromFile } from '@asyncapi/parser';
import SwaggerParser from '@apidevtools/swagger-parser';

const [asyncapiPath, openapiPath] = process.argv.slice(2);
if (!asyncapiPath || !openapiPath) {
  console.error('usage: node check.mjs ASYNCAPI.yaml OPENAPI.yaml');
  process.exit(2);
}

let failed = false;
const { document, diagnostics } = await fromFile(new Parser(), asyncapiPath).parse();
for (const diagnostic of diagnostics) {
  // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
  const serious = diagnostic.severity <= 1;
  failed ||= serious;
  console.log(`asyncapi: ${serious ? 'error' : 'note'} ${diagnostic.code} at ${JSON.stringify(diagnostic.path)}: ${diagnostic.message}`);
}
if (!document) {
  failed = true;
  console.log('asyncapi: rejected');
} else {
  console.log(`asyncapi: ${asyncapiPath} parsed, version ${document.version()}, ${document.allMessages().length} messages`);
}

try {
  const api = await SwaggerParser.validate(openapiPath);
  console.log(`openapi: ${openapiPath} valid, ${Object.keys(api.paths).length} paths`);
} catch (error) {
  failed = true;
  console.log(`openapi: rejected: ${error.message}`);
}

process.exit(failed ? 1 : 0);
