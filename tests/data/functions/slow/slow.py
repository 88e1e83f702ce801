"""A trigger that takes longer than its timeout."""

import time


def handler(event, context):
    print("thinking...")
    time.sleep(30)
    return event
