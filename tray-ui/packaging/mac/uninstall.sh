#!/bin/sh
# Removes Outpost from a Mac (run as root; installed as Outpost.app/Contents/Resources/agent/uninstall.sh).
# The device's state stays in /Library/Application Support/Outpost unless --delete-app-data is given.
launchctl bootout system/org.outpost.agent 2>/dev/null || true
console_uid=$(stat -f %u /dev/console 2>/dev/null || echo 0)
[ "$console_uid" -gt 0 ] && launchctl bootout "gui/$console_uid/org.outpost.tray" 2>/dev/null
rm -f /Library/LaunchDaemons/org.outpost.agent.plist /Library/LaunchAgents/org.outpost.tray.plist
rm -f "/Library/Application Support/Outpost/agent.json" "/Library/Application Support/Outpost/managed.json"
[ "$1" = "--delete-app-data" ] && rm -rf "/Library/Application Support/Outpost" /Library/Logs/Outpost
rm -rf /Applications/Outpost.app
pkgutil --forget org.outpost.tray >/dev/null 2>&1 || true
exit 0
