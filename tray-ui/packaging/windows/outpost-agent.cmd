@echo off
rem Runs the Outpost agent with the Node.js inside the packaged app (Electron as plain Node).
rem Installed as resources\agent\outpost-agent.cmd; started at boot as SYSTEM by a scheduled task.
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Outpost.exe" "%~dp0..\app\bin\outpost.js" agent --config "%ProgramData%\Outpost\agent.json"
