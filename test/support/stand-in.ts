import { startAuth0StandIn as startProductStandIn, type Auth0StandIn, type Auth0StandInOptions } from "../../local/auth0";

/**
 * The local Auth0 as the test suite starts it: the product's stand-in, hashing passwords with
 * scrypt at N = 1024 instead of Node's 16384, since the suite seeds a test user (one hash) and
 * signs people in (one more each) hundreds of times: at the default cost that is over ten seconds
 * of CPU. Every hash names its own cost, so nothing else differs; the default cost itself is held
 * by the tests of `npm run local`'s tenant (test/e2e/stand-in/bounds.test.ts).
 */
export const TEST_PASSWORD_COST = 1024;

export function startAuth0StandIn(options: Auth0StandInOptions = {}): Promise<Auth0StandIn> {
  return startProductStandIn({ passwordCost: TEST_PASSWORD_COST, ...options });
}
