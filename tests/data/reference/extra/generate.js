const cdk = require('aws-cdk-lib');
const { AmplifyAuth } = require('@aws-amplify/auth-construct');
const fs = require('fs');
const URLS = { callbackUrls: ['http://localhost:3000/'], logoutUrls: ['http://localhost:3000/'] };
const cases = {
  social_all: { loginWith: { email: true, externalProviders: {
     facebook: { clientId: 'fb-id', clientSecret: 'fb-secret', scopes: ['public_profile'], attributeMapping: { fullname: 'name', custom: { 'custom:fb': 'id' } } },
     loginWithAmazon: { clientId: 'amz-id', clientSecret: 'amz-secret' },
     signInWithApple: { clientId: 'apple-id', teamId: 'team', keyId: 'key', privateKey: 'pk', scopes: ['email'] },
     google: { clientId: 'g-id', clientSecret: cdk.SecretValue.unsafePlainText('g-secret'), attributeMapping: { givenName: 'given_name', emailVerified: 'email_verified' } },
     oidc: [ { clientId: 'o1', clientSecret: 's1', issuerUrl: 'https://issuer.example.com', attributeRequestMethod: 'POST', identifiers: ['example.com'], endpoints: { authorization: 'https://i/a', token: 'https://i/t', userInfo: 'https://i/u', jwksUri: 'https://i/j' } } ],
     saml: { name: 'Saml1', metadata: { metadataType: 'URL', metadataContent: 'https://idp.example.com/metadata' }, idpSignout: true, identifiers: ['corp'], attributeMapping: { email: 'http://schemas/email' } },
     scopes: ['EMAIL', 'OPENID'], ...URLS, domainPrefix: 'social' } } },
  phone_social: { loginWith: { phone: true, externalProviders: { google: { clientId: 'g', clientSecret: cdk.SecretValue.unsafePlainText('s') }, ...URLS, domainPrefix: 'ph' } } },
  webauthn: { loginWith: { email: { otpLogin: true }, phone: { otpLogin: true, verificationMessage: (c) => `Code ${c()}` }, webAuthn: true }, multifactor: { mode: 'OPTIONAL', sms: true }, passwordlessOptions: { preferredChallenge: 'WEB_AUTHN' } },
  webauthn_explicit: { loginWith: { email: true, webAuthn: { relyingPartyId: 'app.example.com', userVerification: 'required' } } },
  mfa_sms_message_email: { loginWith: { email: true }, multifactor: { mode: 'REQUIRED', sms: { smsMessage: (c) => `Your MFA code: ${c()}` }, email: true, totp: true }, senders: { email: { fromEmail: 'a@example.com' } } },
  invitation_sms_link_text: { name: 'myAuth', loginWith: { email: { verificationEmailStyle: 'LINK', verificationEmailBody: (l) => `Go ${l('Click me')}`, userInvitation: { smsMessage: (u, c) => `Hi ${u()} ${c()}` } } }, accountRecovery: 'PHONE_AND_EMAIL', groups: ['A'] },
  sms_sender: { loginWith: { phone: true }, senders: { sms: { externalId: 'ext', snsCallerArn: 'arn:aws:iam::123456789012:role/sns', snsRegion: 'us-west-2' } } },
  custom_string_no_len: { loginWith: { email: true }, userAttributes: { 'custom:a': { dataType: 'String' }, 'custom:n': { dataType: 'Number', mutable: false }, nickname: { required: true } } },
  kms_sender: { loginWith: { email: true } , senders: { email: { handler: 'FN', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc' } } },
};
const out = {};
for (const [name, props] of Object.entries(cases)) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'AuthStack');
  if (props.senders && props.senders.email && props.senders.email.handler === 'FN') {
    props.senders.email.handler = new cdk.aws_lambda.Function(stack, 'kmsSenderFn', { runtime: cdk.aws_lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: cdk.aws_lambda.Code.fromInline('exports.handler = async (event) => event;') });
  }
  try { new AmplifyAuth(stack, 'amplifyAuth', props); out[name] = app.synth().getStackByName('AuthStack').template; }
  catch (e) { out[name] = { error: String(e.message) }; }
}
fs.writeFileSync('extra.json', JSON.stringify(out, null, 1));
