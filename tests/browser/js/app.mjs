// The app page of the browser tests: aws-amplify v6 configured from amplify_outputs.json exactly as the
// README says, plus a tiny window.app surface the test calls through WebDriver. No test logic lives here.
import { Hub } from 'aws-amplify/utils';
import { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut } from 'aws-amplify/auth';
import { configureAmplify } from './configure.mjs';

const outputs = window.AMPLIFY_OUTPUTS;
window.authEvents = [];
Hub.listen('auth', ({ payload }) => {
  window.authEvents.push(payload.event + (payload.data?.message ? `: ${payload.data.message}` : ''));
});

configureAmplify(outputs);

const settle = async (promise) => {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, name: error?.name, message: error?.message };
  }
};

window.app = {
  signInWithRedirect: (input) => settle(signInWithRedirect(input)),
  signOut: () => settle(signOut()),
  currentUser: () => settle(getCurrentUser()),
  idTokenPayload: () => settle(fetchAuthSession().then((s) => s.tokens?.idToken?.payload ?? null)),
};
window.appReady = true;
