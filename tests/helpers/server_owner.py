"""A process that starts a fork server of KIND ("sphinx" or "kernel"), prints its folder, then
waits two minutes (to be killed).

Usage: python tests/helpers/server_owner.py KIND
"""

import sys
import time

from analysis import servers

if __name__ == "__main__":
    print(servers.server(sys.argv[1], []).folder, flush=True)
    time.sleep(120)
