/**
 * The app under `wrangler dev` on a port of 127.0.0.1 with local state in a folder (scripts/server.mjs), for the
 * tiers that test the real Worker. scripts/server.mjs is plain JS for node; it is loaded by path so the app's type check
 * does not take it in, and typed here once.
 */
export interface Server {
	url: string;
	stop(): Promise<void>;
}
interface ServerModule {
	freePort(): Promise<number>;
	startServer(o: { port: number; persistTo: string; quiet: boolean; adminToken: string }): Promise<Server>;
}
const SERVER_MODULE = '../../scripts/server.mjs';
export const { freePort, startServer } = (await import(/* @vite-ignore */ SERVER_MODULE)) as ServerModule;
