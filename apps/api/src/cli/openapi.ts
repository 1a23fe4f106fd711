// `npm run lint:openapi` writes the OpenAPI document of the API without a database, then lints it.
import { writeFileSync } from 'node:fs';
import { createOpenApiDocument, previewApp } from '../openapi/document.js';

const out = process.argv[2] ?? 'apps/api/openapi.json';
const app = await previewApp();
writeFileSync(out, `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
await app.close();
console.log(`OpenAPI document written to ${out}`);
