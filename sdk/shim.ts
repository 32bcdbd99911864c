// The `__provider` text Pulumi keeps in every dynamic resource's state.
//
// Pulumi's dynamic provider process loads that text as a module (require-from-string, no file name,
// the program's folder as working directory) and calls its `handler()` for the provider object. So
// instead of letting Pulumi serialize a provider object (kilobytes of closures per resource), the
// text is written here: one line that loads the installed package and asks it for the kind's
// provider. It is ~100 bytes, holds nothing but the kind, and stays the same across orgstack
// upgrades, so an upgrade shows no diff on every resource.

/** The module text of the kind's provider, as Pulumi's dynamic provider process loads it. */
export function providerText(kind: string): string {
  return `exports.handler = () => require("orgstack/provider").dynamicProvider(${JSON.stringify(kind)});\n`;
}
