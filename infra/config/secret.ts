/**
 * A configuration value that must never be printed. The spec carries secrets in this
 * wrapper so that logging, serialising or diffing a spec cannot leak them; only the
 * program unwraps one, straight into `pulumi.secret(...)`.
 */
export class SecretValue {
  readonly #value: string | undefined;

  private constructor(value: string | undefined) {
    this.#value = value;
  }

  /** A secret whose plain text is known (decrypted stack config). */
  static of(value: string): SecretValue {
    return new SecretValue(value);
  }

  /**
   * A secret that is declared but whose plain text is not available here, e.g. a
   * `secure:` value read straight from a stack file without the stack's secrets provider.
   */
  static encrypted(): SecretValue {
    return new SecretValue(undefined);
  }

  get isKnown(): boolean {
    return this.#value !== undefined;
  }

  /** The plain text. Throws where only the ciphertext was read. */
  reveal(): string {
    if (this.#value === undefined) {
      throw new Error("this secret was read without its secrets provider; its value is not available");
    }
    return this.#value;
  }

  toString(): string {
    return "[secret]";
  }

  toJSON(): string {
    return "[secret]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[secret]";
  }
}
