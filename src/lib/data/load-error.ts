/** A load failure the user can act on: `name` is a stable code, `message` names the file and the problem. */
export class LoadError extends Error {
	constructor(name: string, message: string) {
		super(message);
		this.name = name;
	}
}
