/**
 * Experiment ids derive from the name, so two browsers that create "penguins" offline create the same
 * experiment and their runs meet in one place after sync (names are unique per workspace, as in MLflow).
 * FNV-1a 64-bit: synchronous (no crypto.subtle), stable everywhere, collisions negligible for names.
 */
export function experimentIdForName(name: string): string {
	let h = 0xcbf29ce484222325n;
	const bytes = new TextEncoder().encode(name.trim().normalize('NFC'));
	for (const b of bytes) {
		h ^= BigInt(b);
		h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
	}
	return `exp_${h.toString(16).padStart(16, '0')}`;
}
