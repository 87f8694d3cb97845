import { z } from "zod";
import { booleanValue, expected, integerValue, oneOf } from "./values";

/**
 * The user store's password rules in Auth0's current model, `options.password_options`
 * (`@pulumi/auth0` calls it `passwordOptions`). A stack declares these or the legacy
 * `passwordPolicy`, never both: Auth0 refuses a connection that mixes the two.
 */
export const CHARACTER_TYPES = ["lowercase", "uppercase", "number", "special"] as const;
export type CharacterType = (typeof CHARACTER_TYPES)[number];

export interface PasswordOptionsSpec {
  readonly minLength: number;
  /** The kinds of character a password must hold, sorted; empty for no rule. */
  readonly characterTypes: readonly CharacterType[];
  /** `all` of the listed types, or any `three_of_four` (which needs all four listed). */
  readonly characterTypeRule: "all" | "three_of_four";
  readonly identicalCharacters: "allow" | "block";
  readonly sequentialCharacters: "allow" | "block";
  /** How many previous passwords cannot be reused; 0 turns history off. */
  readonly historySize: number;
  /** Refuse passwords from Auth0's dictionary of common passwords. */
  readonly dictionary: boolean;
  /** Refuse passwords made of the user's own profile data (name, e-mail...). */
  readonly profileData: boolean;
}

/** prod's floor for the current model: as strong as the legacy "good" policy, and more. */
export const PROD_PASSWORD_OPTIONS_FLOOR = { minLength: 12, characterTypes: 3, dictionary: true } as const;

export const passwordOptionsSchema = z
  .strictObject(
    {
      minLength: integerValue(1, 72),
      characterTypes: z.array(oneOf(CHARACTER_TYPES), { error: expected(`a list of ${CHARACTER_TYPES.join(", ")}`) }).default([]),
      characterTypeRule: oneOf(["all", "three_of_four"]).default("all"),
      identicalCharacters: oneOf(["allow", "block"]).default("allow"),
      sequentialCharacters: oneOf(["allow", "block"]).default("allow"),
      history: integerValue(0, 24).default(0),
      dictionary: booleanValue.default(false),
      profileData: booleanValue.default(false),
    },
    { error: expected("an object such as {minLength: 12, characterTypes: [lowercase, uppercase, number], dictionary: true}") },
  )
  .transform((options): PasswordOptionsSpec => ({
    minLength: options.minLength,
    characterTypes: [...new Set(options.characterTypes)].sort(),
    characterTypeRule: options.characterTypeRule,
    identicalCharacters: options.identicalCharacters,
    sequentialCharacters: options.sequentialCharacters,
    historySize: options.history,
    dictionary: options.dictionary,
    profileData: options.profileData,
  }));

/** How many character types a password must really hold under these options. */
export function requiredCharacterTypes(options: {
  readonly characterTypes: readonly string[];
  readonly characterTypeRule: string;
}): number {
  return options.characterTypeRule === "three_of_four" ? Math.min(3, options.characterTypes.length) : options.characterTypes.length;
}

/**
 * The length of a test user's generated password: 32 characters of all four kinds, or the
 * policy's minLength where that asks for more (Auth0 would create the connection, then refuse
 * the user). minLength is at most 72, the most Auth0 takes.
 */
export const GENERATED_PASSWORD_LENGTH = 32;

export function generatedPasswordLength(options: Pick<PasswordOptionsSpec, "minLength"> | undefined): number {
  return Math.max(GENERATED_PASSWORD_LENGTH, options?.minLength ?? 0);
}

/** Why Auth0 would refuse these options in any tenant (empty when it would not). */
export function passwordOptionsProblems(options: PasswordOptionsSpec): string[] {
  if (options.characterTypeRule === "three_of_four" && options.characterTypes.length !== CHARACTER_TYPES.length)
    return [
      `characterTypeRule three_of_four needs all four characterTypes listed (${CHARACTER_TYPES.join(", ")}); Auth0 refuses it otherwise, in any tenant`,
    ];
  return [];
}

/** Why these options are too weak for prod (empty when they are not). */
export function prodPasswordOptionsProblems(options: PasswordOptionsSpec): string[] {
  const problems: string[] = [];
  const floor = PROD_PASSWORD_OPTIONS_FLOOR;
  if (options.minLength < floor.minLength) problems.push(`minLength is ${options.minLength}; prod requires at least ${floor.minLength}`);
  if (requiredCharacterTypes(options) < floor.characterTypes)
    problems.push(
      `characterTypes require ${requiredCharacterTypes(options)} kind(s) of character; prod requires at least ${floor.characterTypes}`,
    );
  if (options.dictionary !== floor.dictionary) problems.push("dictionary is off; prod refuses common passwords");
  return problems;
}
