import type { z } from 'zod';
import { InvalidInput } from './errors';

/**
 * A value checked against a contract schema by a service: InvalidInput naming the first issue's path (and how many
 * more there are), with up to 20 issues in details. The HTTP body readers use it too, so a field is named alike
 * whichever caller sent it.
 */
export function parseOrInvalid<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data;
	const issues = parsed.error.issues
		.slice(0, 20)
		.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
	const first = issues[0];
	throw new InvalidInput({
		message: `Invalid ${what}: ${first.path ? `${first.path}: ` : ''}${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
		details: { issues }
	});
}
