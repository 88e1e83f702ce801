"""Turn the CDK toolkit's failure output into an ``AmpyUserError`` that says how to fix it.

The patterns are the toolkit's own messages (and the AWS errors it passes on);
names and wording follow amplify-backend's ``CdkErrorMapper`` where it has the
case, so users see what ampx would tell them. Order matters: specific cases
first, the generic "deployment failed" last. Anything unknown becomes
``CDKDeploymentError`` carrying the toolkit's last lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amplify_py.errors import AmpyUserError

__all__ = ["map_cdk_failure", "strip_ansi"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\[[0-9]{1,2}m")
_TAIL_LINES = 15


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class _Known:
    pattern: re.Pattern[str]
    name: str
    message: str  # may use {named groups} and {stack}
    resolution: str


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.MULTILINE)


_KNOWN: tuple[_Known, ...] = (
    _Known(
        _p(r"ExpiredToken|The security token included in the request is (?:expired|invalid)"),
        "ExpiredTokenError",
        "The security token included in the request is invalid.",
        "Please update your AWS credentials. You can do this by running `aws configure` or by updating your "
        "AWS credentials file. If you're using temporary credentials (`aws sso login`), you may need to obtain new ones.",
    ),
    _Known(
        _p(
            r"Need to perform AWS calls for account .*, but no credentials have been configured"
            r"|Could not load credentials from any providers"
            r"|Unable to locate credentials"
            r"|Unable to resolve AWS account to use"
        ),
        "NoCredentialsError",
        "No AWS credentials were found for the deployment.",
        "Configure credentials (`aws configure`, `aws sso login --profile NAME`, or AWS_ACCESS_KEY_ID/"
        "AWS_SECRET_ACCESS_KEY) and pass the profile with `--profile NAME`, or run the sandbox locally without --profile.",
    ),
    _Known(
        _p(r"The config profile \((?P<profile>[^)]*)\) could not be found|Profile (?P<profile2>\S+) not found"),
        "ProfileNotFoundError",
        "The AWS profile given with --profile does not exist.",
        "List your profiles with `aws configure list-profiles` and pass one of them to --profile.",
    ),
    _Known(
        _p(
            r"This CDK deployment requires bootstrap stack version \S+, but during the confirmation via SSM "
            r"parameter \S+ the following error occurred: AccessDeniedException"
        ),
        "BootstrapDetectionError",
        "Unable to detect CDK bootstrap stack due to permission issues.",
        "Ensure that AWS credentials have an IAM policy that grants read access to "
        "'arn:aws:ssm:*:*:parameter/cdk-bootstrap/*' SSM parameters.",
    ),
    _Known(
        _p(r"This CDK deployment requires bootstrap stack version \S+, found \S+\. Please run 'cdk bootstrap'\."),
        "BootstrapOutdatedError",
        "This AWS account and region has outdated CDK bootstrap stack.",
        "Run `npx aws-cdk bootstrap aws://{YOUR_ACCOUNT_ID}/{YOUR_REGION}` locally to re-bootstrap.",
    ),
    _Known(
        _p(
            r"Has the environment been bootstrapped|Is account \d+ bootstrapped|Is this account bootstrapped"
            r"|SSM parameter /cdk-bootstrap/\S+ not found"
            r"|This stack uses assets, so the toolkit stack must be deployed"
        ),
        "BootstrapNotDetectedError",
        "This AWS account and region has not been bootstrapped.",
        "Run `npx aws-cdk bootstrap aws://{YOUR_ACCOUNT_ID}/{YOUR_REGION}` locally to resolve this.",
    ),
    _Known(
        _p(
            r"(?P<stack>amplify-[A-Za-z0-9-]+)(?:.*) failed: ValidationError: Stack:(?:.*) is in "
            r"(?P<state>[A-Z_]+) state and can not be updated"
        ),
        "CloudFormationDeploymentError",
        "The CloudFormation deployment failed due to {stack} being in {state} state.",
        "Bring the stack out of {state} in the CloudFormation console (for UPDATE_ROLLBACK_FAILED: "
        "'Continue update rollback'), or delete it with `ampy sandbox delete`, then deploy again.",
    ),
    _Known(
        _p(r"The stack named (?P<stack>\S+) is in a failed state\. You may need to delete it from the AWS console : "
           r"DELETE_FAILED"),
        "CloudFormationDeletionError",
        "The CloudFormation deletion failed due to {stack} being in DELETE_FAILED state.",
        "Check the CloudFormation AWS Console for this stack for the resources that failed to delete, "
        "ensure they can be deleted, and run the delete again.",
    ),
    _Known(
        _p(r"User:(?P<user>.*) is not authorized to perform:\s*(?P<action>\S+) on resource:\s*(?P<resource>\S+)"),
        "AccessDeniedError",
        "Unable to deploy due to insufficient permissions.",
        "Ensure you have permissions to call {action} for {resource}.",
    ),
    _Known(
        _p(r"Access Denied|AccessDenied"),
        "AccessDeniedError",
        "The deployment role does not have sufficient permissions to perform this deployment.",
        "Ensure your deployment role has the AmplifyBackendDeployFullAccess policy along with any additional "
        "permissions required to deploy your backend definition.",
    ),
    _Known(
        _p(r"This CDK CLI is not compatible with the CDK library used by your application"),
        "CDKVersionMismatchError",
        "The pinned 'aws-cdk' toolkit is not compatible with the installed 'aws-cdk-lib'.",
        "Upgrade amplify-py (it pins an aws-cdk toolkit that matches its aws-cdk-lib).",
    ),
    _Known(
        _p(r"Another CLI (?:.*) is currently|Other CLIs (?:.*) are currently reading from"),
        "MultipleSandboxInstancesError",
        "Multiple sandbox instances detected.",
        "Make sure only one instance of sandbox is running for this project.",
    ),
    _Known(
        _p(r"Updates are not allowed for property"),
        "CFNUpdateNotSupportedError",
        "The changes that you are trying to apply are not supported.",
        "The resources referenced in the error message must be deleted and recreated to apply the changes.",
    ),
    _Known(
        _p(r"Invalid AttributeDataType input, consider using the provided AttributeDataType enum"),
        "CFNUpdateNotSupportedError",
        "User pool attributes cannot be changed after a user pool has been created.",
        "To change these attributes, remove `define_auth` from your backend, deploy, then add it back. Note that "
        "removing `define_auth` and deploying will delete any users stored in your user pool.",
    ),
    _Known(
        _p(r"(?:npm error|npm ERR!) code (?:ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED)"),
        "CDKToolkitInstallError",
        "npx could not download the aws-cdk toolkit from the npm registry.",
        "Check your network connection or npm proxy settings (`npm config get registry`) and try again.",
    ),
    _Known(
        _p(r"The stack named (?P<stack>\S+) failed creation, it may need to be manually deleted from the AWS console"
           r"(?:: (?P<state>[A-Z_]+))?"),
        "CloudFormationDeploymentError",
        "The CloudFormation deployment has failed: {stack} failed creation and was rolled back.",
        "Find the failed resource in the CloudFormation AWS Console for this stack, fix its cause, then deploy again "
        "(the toolkit deletes a stack in ROLLBACK_COMPLETE before re-creating it).",
    ),
    _Known(
        _p(r"Deployment failed: (?P<detail>.*)$|The stack named (?P<stack>\S+) failed to deploy: (?P<detail2>.*)$"),
        "CloudFormationDeploymentError",
        "The CloudFormation deployment has failed.",
        "Find more information in the CloudFormation AWS Console for this stack.",
    ),
)


class _Fill(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def map_cdk_failure(output: str, *, action: str = "deploy", exit_code: int | None = None) -> AmpyUserError:
    """The error for a failed toolkit run, given everything it printed (stdout and stderr)."""
    text = strip_ansi(output)
    lines = [line for line in text.splitlines() if line.strip()]
    tail = "\n".join(lines[-_TAIL_LINES:])
    for known in _KNOWN:
        match = known.pattern.search(text)
        if match is None:
            continue
        groups = _Fill({k: v for k, v in match.groupdict().items() if v is not None})
        return AmpyUserError(
            known.name,
            known.message.format_map(groups),
            known.resolution.format_map(groups),
            details=match.group(0).strip(),
        )
    code = f" (exit code {exit_code})" if exit_code is not None else ""
    return AmpyUserError(
        "CDKDeploymentError",
        f"The CDK toolkit failed to {action} the backend{code}. Its last lines:\n{tail or '(no output)'}",
        "Read the toolkit's output above; re-run with --debug for the full log.",
    )
