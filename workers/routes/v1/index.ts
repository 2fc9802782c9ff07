import { Hono } from 'hono';
import { authenticate } from '../../auth/middleware';
import type { AppEnv } from '../../types';
import { sync } from './sync';

/** The registry under /api/v1: every route here needs a bearer token; scopes are checked per route. */
export const registry = new Hono<AppEnv>();
registry.use('*', authenticate);
registry.route('/sync', sync);
