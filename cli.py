"""Top-level entry: the same thin entry the ``ampy`` console script uses.

``cdk.json`` runs ``python cli.py cdk-app`` so the example backend also deploys
with the standard CDK toolkit (``npx cdk deploy``).
"""

import sys

from amplify_py.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
