; NSIS additions (electron-builder's nsis.include): the agent runs at boot as SYSTEM through a
; scheduled task, restarted by Task Scheduler if it stops. IT puts the server and enrolment token
; in %ProgramData%\Outpost\agent.json.
!macro customInstall
  CreateDirectory "$COMMONPROGRAMDATA\Outpost"
  nsExec::ExecToLog 'schtasks /Create /F /RU SYSTEM /RL HIGHEST /SC ONSTART /TN "Outpost Agent" /TR "\"$INSTDIR\resources\agent\outpost-agent.cmd\""'
  nsExec::ExecToLog 'schtasks /Run /TN "Outpost Agent"'
!macroend

!macro customUnInstall
  nsExec::ExecToLog 'schtasks /End /TN "Outpost Agent"'
  nsExec::ExecToLog 'schtasks /Delete /F /TN "Outpost Agent"'
!macroend
