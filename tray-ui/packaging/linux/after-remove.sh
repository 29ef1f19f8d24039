#!/bin/sh
# deb/rpm post-remove: stop and remove the agent service and the tray's log-on entry. The agent's
# state (/var/lib/outpost) and IT's config (/etc/outpost) stay, as a package's data should.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now outpost-agent.service || true
fi
rm -f /etc/systemd/system/outpost-agent.service /etc/xdg/autostart/outpost-tray.desktop
command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload || true
