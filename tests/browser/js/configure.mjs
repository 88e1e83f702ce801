// aws-amplify v6 configured from amplify_outputs.json exactly as the README says: the usual configure, then
// the local engine's endpoints from custom.local_engine (amplify_outputs.json has no key for them).
import { Amplify } from 'aws-amplify';

export const configureAmplify = (outputs) => {
  Amplify.configure(outputs);
  const local = outputs.custom?.local_engine;
  if (local) {
    const config = Amplify.getConfig();
    Amplify.configure({ ...config, Auth: { ...config.Auth, Cognito: {
      ...config.Auth.Cognito,
      userPoolEndpoint: local.user_pool_endpoint,
      identityPoolEndpoint: local.identity_pool_endpoint,
    } } });
  }
};
