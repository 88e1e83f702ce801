"""Test handler: returns what it saw, prints a line, and can fail, sleep or exit on request."""

import os
import sys
import time

LOADED_AT = time.time()


def handler(event, context):
    action = event.get("action")
    print(f"echo handling {action}")
    if action == "raise":
        raise ValueError(event.get("message", "boom"))
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "exit":
        sys.exit(3)
    if action == "unserializable":
        return {"value": object()}
    return {
        "event": event,
        "pid": os.getpid(),
        "loaded_at": LOADED_AT,
        "env": {k: os.environ.get(k) for k in event.get("env_keys", [])},
        "cwd": os.getcwd(),
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "invoked_function_arn": context.invoked_function_arn,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
