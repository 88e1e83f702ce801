"""The process that runs one function's handler, kept warm between invocations.

Run as a script (it imports nothing from amplify_py, so the handler sees a
clean interpreter): ``python _worker.py <config-json>``. It speaks JSON lines:
requests on stdin, responses on a private copy of the original stdout. The
handler's own stdout and stderr both go to stderr, which the parent reads as the
function's log, as Lambda sends both to CloudWatch.
"""

import importlib
import json
import os
import sys
import time
import traceback


class LambdaContext:
    """The attributes and method of the Python runtime's context object."""

    def __init__(self, fields, deadline_ms):
        self.function_name = fields["function_name"]
        self.function_version = fields["function_version"]
        self.invoked_function_arn = fields["invoked_function_arn"]
        # The Python runtime reads this from AWS_LAMBDA_FUNCTION_MEMORY_SIZE: a string.
        self.memory_limit_in_mb = fields["memory_limit_in_mb"]
        self.aws_request_id = fields["aws_request_id"]
        self.log_group_name = fields["log_group_name"]
        self.log_stream_name = fields["log_stream_name"]
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


def _error(exc, error_type=None, request_id=None, skip_frames=0):
    tb = exc.__traceback__
    for _ in range(skip_frames):  # leave out this worker's own frames, as Lambda's runtime does
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    stack = traceback.extract_tb(tb)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id or "",
        "stackTrace": traceback.format_list(stack),
    }


def _log_error(error):
    """Log an error as the Python runtime does: ``[ERROR] Type: message`` and the traceback."""
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}"]
    if error.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in error["stackTrace"])
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


def main():
    config = json.loads(sys.argv[1])
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # prints from the handler go to the log stream, never into the protocol
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", closefd=False)

    sys.path[:] = [config["entry_dir"], *config["extra_paths"]] + [
        p for p in sys.path[1:] if p not in config["extra_paths"]
    ]
    os.chdir(config["entry_dir"])

    def send(message):
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    module_name, handler_name = config["module"], config["handler"]
    handler = None
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # Lambda reports the failed import on every invocation
        init_error = _error(exc, "Runtime.ImportModuleError")
        init_error["errorMessage"] = f"Unable to import module '{module_name}': {exc}"
    else:
        handler = getattr(module, handler_name, None)
        init_error = None
        if not callable(handler):
            init_error = {
                "errorMessage": f"Handler '{handler_name}' missing on module '{module_name}'",
                "errorType": "Runtime.HandlerNotFound",
                "requestId": "",
                "stackTrace": [],
            }
    send({"type": "ready", "error": init_error})
    if init_error:
        _log_error(init_error)

    for line in sys.stdin:
        request = json.loads(line)
        request_id = request["context"]["aws_request_id"]
        sys.stderr.write(f"START RequestId: {request_id} Version: {request['context']['function_version']}\n")
        started = time.monotonic()
        if init_error:
            error = dict(init_error, requestId=request_id)
            _log_error(error)
            send({"type": "result", "id": request_id, "error": error})
        else:
            context = LambdaContext(request["context"], request["deadline_ms"])
            error = None
            try:
                result = handler(request["event"], context)
            except Exception as exc:
                error = _error(exc, request_id=request_id, skip_frames=1)
            else:
                try:
                    payload = json.dumps(result)
                except (TypeError, ValueError) as exc:
                    error = {
                        "errorMessage": f"Unable to marshal response: {exc}",
                        "errorType": "Runtime.MarshalError",
                        "requestId": request_id,
                        "stackTrace": [],
                    }
            if error is not None:
                _log_error(error)
                send({"type": "result", "id": request_id, "error": error})
            else:
                protocol.write(f'{{"type": "result", "id": {json.dumps(request_id)}, "payload": {payload}}}\n')
                protocol.flush()
        elapsed = (time.monotonic() - started) * 1000
        sys.stderr.write(f"END RequestId: {request_id}\n")
        sys.stderr.write(
            f"REPORT RequestId: {request_id}\tDuration: {elapsed:.2f} ms\t"
            f"Memory Size: {request['context']['memory_limit_in_mb']} MB\n"
        )
        sys.stderr.flush()


if __name__ == "__main__":
    main()
