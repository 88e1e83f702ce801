// The browser side of tests/browser: aws-amplify v6 as an app would use it, configured against the local
// engine as the README shows, and one entry point the test drives over WebDriver.
import * as auth from 'aws-amplify/auth';
import { configureAmplify } from './configure.mjs';

// Test switches: make the next passkey for another relying party, or tamper with the next assertion.
const originalCreate = navigator.credentials.create.bind(navigator.credentials);
const originalGet = navigator.credentials.get.bind(navigator.credentials);
window.passkeyTest = { rpOverride: null, tamperNextAssertion: false };
navigator.credentials.create = async (options) => {
  if (window.passkeyTest.rpOverride && options.publicKey) {
    options.publicKey.rp = { ...options.publicKey.rp, id: window.passkeyTest.rpOverride };
    window.passkeyTest.rpOverride = null;
  }
  return originalCreate(options);
};
navigator.credentials.get = async (options) => {
  const credential = await originalGet(options);
  if (window.passkeyTest.tamperNextAssertion) {
    window.passkeyTest.tamperNextAssertion = false;
    const signature = new Uint8Array(credential.response.signature.slice(0));
    signature[signature.length - 1] ^= 1;
    Object.defineProperty(credential.response, 'signature', { value: signature.buffer });
  }
  return credential;
};

window.configureAmplify = configureAmplify;

// Call an aws-amplify/auth API; resolves to {ok, result} or {ok: false, error: {name, message}}.
window.callAuth = async (api, input) => {
  try {
    const result = await auth[api](input);
    return { ok: true, result: JSON.parse(JSON.stringify(result ?? null)) };
  } catch (error) {
    return { ok: false, error: { name: error.name, message: error.message } };
  }
};
window.amplifyReady = true;
