#!/bin/sh
# Tray deb/rpm post-remove: the log-on entry goes; the agent (outpost-agent package) stays.
rm -f /etc/xdg/autostart/outpost-tray.desktop
