"""A process that starts a Sphinx server, prints its folder, then waits two minutes (to be killed).

Usage: python tests/helpers/sphinx_server_owner.py
"""

import time

from analysis import servers

if __name__ == "__main__":
    print(servers.server("sphinx", []).folder, flush=True)
    time.sleep(120)
