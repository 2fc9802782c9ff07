import { z } from 'zod';

// Zod compiles faster object parsers with `new Function`, after probing whether `Function('')` is allowed. The
// app's Content-Security-Policy forbids eval (scripts/spa-headers.mjs), and even the probe is reported as a
// violation; interpreted parsing is fast enough for everything the app validates. Imported first by each
// entry point (the app layout and every worker that parses), before any schema runs.
z.config({ jitless: true });
