import { Hono } from 'hono';
import { authenticate } from '../../auth/middleware';
import { rateLimit } from '../../http/rate-limit';
import type { AppEnv } from '../../types';
import { artifacts } from './artifacts';
import { blobs } from './blobs';
import { experiments } from './experiments';
import { me } from './me';
import { models } from './models';
import { modelVersions } from './model-versions';
import { predict } from './predict';
import { predictions } from './predictions';
import { traffic } from './traffic';
import { runLog } from './run-log';
import { runs } from './runs';
import { sync } from './sync';
import { tokens } from './tokens';
import { workspaces } from './workspaces';

/** The registry under /api/v1: every route here needs a bearer token; scopes are checked per route. */
export const registry = new Hono<AppEnv>();
registry.use('*', authenticate);
// After authentication: the bucket is per token, so one noisy script cannot starve the others.
registry.use('*', rateLimit);
registry.route('/sync', sync);
registry.route('/me', me);
registry.route('/tokens', tokens);
registry.route('/workspaces', workspaces);
registry.route('/experiments', experiments);
registry.route('/runs', runs);
registry.route('/runs', runLog);
registry.route('/runs', artifacts);
registry.route('/blobs', blobs);
registry.route('/models', models);
registry.route('/models', modelVersions);
registry.route('/models', predict);
registry.route('/models', predictions);
registry.route('/models', traffic);
