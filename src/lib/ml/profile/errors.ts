/**
 * Named errors of the profile kernel. Profiles arrive from many places (a tab registering a model, a Durable
 * Object closing an hourly window, storage read back months later), so a profile that cannot be merged or read
 * is refused by name before it touches a stored one: a silently wrong merge would poison every later window.
 */

/** Any input the profile kernel refuses: a bad option, a malformed serialised profile. */
export class ProfileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProfileError';
	}
}

/**
 * Two profiles or sketches that cannot be combined or compared: different histogram edges, different sketch k,
 * different features or kinds. Counts over different bins are not comparable, so they are never re-binned here.
 */
export class ProfileMismatchError extends ProfileError {
	constructor(message: string) {
		super(message);
		this.name = 'ProfileMismatchError';
	}
}

/** A serialised profile of a version this code does not read. */
export class ProfileVersionError extends ProfileError {
	constructor(message: string) {
		super(message);
		this.name = 'ProfileVersionError';
	}
}
