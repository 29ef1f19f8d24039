#!/bin/sh
# Tray deb/rpm post-install: the tray starts at every desktop log-on. The agent is the
# outpost-agent package's systemd service (this package depends on it), so there is one agent only.
set -e
install -d /etc/xdg/autostart
install -m 0644 /opt/Outpost/resources/linux/outpost-tray.desktop /etc/xdg/autostart/outpost-tray.desktop
