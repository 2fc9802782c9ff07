import '$lib/zod-jitless';

// A browser-only app: data, training and storage all live in the tab.
export const ssr = false;
export const prerender = false;
