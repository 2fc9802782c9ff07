/**
 * The profile of one categorical feature (or a classifier's predicted label): the count of every category, up to a
 * cap on distinct categories so a free-text or ID column cannot grow a profile without bound. Values that arrive
 * once the cap is full, under a category not yet tracked, are counted in `other`; a merge whose union passes the
 * cap keeps the `cap` most frequent (ties by name, so the result does not depend on order) and moves the rest into
 * `other`. Below the cap a merge is exactly the profile of the pooled rows.
 *
 * Categories are strings: a number or boolean value is kept as String(value), so 1 and '1' are one category.
 * null, undefined and NaN are nulls; the empty string is a category.
 */
import { ProfileError, ProfileMismatchError } from './errors';

export const DEFAULT_CATEGORY_CAP = 1000;

export interface CategoricalProfileJSON {
	kind: 'categorical';
	cap: number;
	nulls: number;
	other: number;
	/** [category, count], most frequent first. */
	categories: [string, number][];
}

export interface CategoryCount {
	value: string;
	count: number;
}

function byCountThenName(a: [string, number], b: [string, number]): number {
	return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

export class CategoricalProfile {
	readonly kind = 'categorical' as const;
	readonly cap: number;
	readonly counts = new Map<string, number>();
	/** Non-null values in categories not tracked because the cap was full. */
	other = 0;
	nulls = 0;

	constructor(options: { cap?: number } = {}) {
		const cap = options.cap ?? DEFAULT_CATEGORY_CAP;
		if (!Number.isInteger(cap) || cap < 1)
			throw new ProfileError(`category cap must be a positive integer, got ${cap}`);
		this.cap = cap;
	}

	/** Non-null values seen. */
	get count(): number {
		let total = this.other;
		for (const c of this.counts.values()) total += c;
		return total;
	}
	get rows(): number {
		return this.count + this.nulls;
	}

	update(value: unknown): void {
		if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
			this.nulls++;
			return;
		}
		const key = String(value);
		const c = this.counts.get(key);
		if (c !== undefined) this.counts.set(key, c + 1);
		else if (this.counts.size < this.cap) this.counts.set(key, 1);
		else this.other++;
	}

	merge(other: CategoricalProfile): this {
		if (!(other instanceof CategoricalProfile))
			throw new ProfileMismatchError('cannot merge a categorical profile with another kind');
		if (other.cap !== this.cap)
			throw new ProfileMismatchError(
				`cannot merge categorical profiles with caps ${this.cap} and ${other.cap}`
			);
		for (const [k, c] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
		this.other += other.other;
		this.nulls += other.nulls;
		if (this.counts.size > this.cap) {
			const sorted = [...this.counts].sort(byCountThenName);
			for (const [k, c] of sorted.slice(this.cap)) {
				this.counts.delete(k);
				this.other += c;
			}
		}
		return this;
	}

	/** The k most frequent categories (ties by name) and the count of every other non-null value. */
	top(k = 20): { categories: CategoryCount[]; other: number } {
		const sorted = [...this.counts].sort(byCountThenName);
		const head = sorted.slice(0, Math.max(0, k));
		let rest = this.other;
		for (const [, c] of sorted.slice(head.length)) rest += c;
		return { categories: head.map(([value, count]) => ({ value, count })), other: rest };
	}

	clone(): CategoricalProfile {
		return CategoricalProfile.fromJSON(this.toJSON());
	}

	toJSON(): CategoricalProfileJSON {
		return {
			kind: 'categorical',
			cap: this.cap,
			nulls: this.nulls,
			other: this.other,
			categories: [...this.counts].sort(byCountThenName)
		};
	}

	static fromJSON(json: CategoricalProfileJSON): CategoricalProfile {
		if (!json || json.kind !== 'categorical') throw new ProfileError('not a categorical profile');
		const p = new CategoricalProfile({ cap: json.cap });
		const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
		if (!count(json.nulls) || !count(json.other))
			throw new ProfileError('categorical profile counts must be non-negative integers');
		if (!Array.isArray(json.categories) || json.categories.length > p.cap)
			throw new ProfileError(`categorical profile needs at most ${p.cap} categories`);
		for (const entry of json.categories) {
			if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !count(entry[1]) || p.counts.has(entry[0]))
				throw new ProfileError('categorical profile categories must be distinct [name, count] pairs');
			p.counts.set(entry[0], entry[1]);
		}
		p.nulls = json.nulls;
		p.other = json.other;
		return p;
	}
}
