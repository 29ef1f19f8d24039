; NSIS additions (electron-builder's nsis.include). The agent runs as the Windows service
; "OutpostAgent" through WinSW (resources\agent\outpost-agent.exe + outpost-agent.xml): LocalSystem,
; delayed auto-start, restarted on failure. The tray starts at every user's logon (HKLM Run).
; Silent install for GPO/Intune/SCCM, as an administrator:
;   Outpost-Setup.exe /S /SERVER=https://outpost.example.org /TOKEN_FILE=\\share\outpost-enrol.token [/CA_FILE=ca.pem]
; The token file is copied to %ProgramData%\Outpost\enrol-token (SYSTEM and Administrators only) and
; agent.json points at it, so the token never appears on a command line. An upgrade without /SERVER
; keeps the existing settings and the device's state.
!include "WordFunc.nsh"

!define OUTPOST_SERVICE "OutpostAgent"
!define OUTPOST_WINSW "$INSTDIR\resources\agent\outpost-agent.exe"
!define OUTPOST_DATA "$COMMONPROGRAMDATA\Outpost"
!define OUTPOST_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"

; Before files are replaced: the service runs Outpost.exe, which would hold the files open (and
; electron-builder's own check would ask to close it). The users' trays are closed too.
!macro customCheckAppRunning
  nsExec::Exec 'sc.exe stop ${OUTPOST_SERVICE}'
  Sleep 2000
  nsExec::Exec 'taskkill.exe /F /IM Outpost.exe'
!macroend

; Only SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544) may read a file holding a secret.
!macro outpostRestrict FILE
  nsExec::Exec 'icacls.exe "${FILE}" /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F'
!macroend

!macro customInstall
  ; Builds before 0.2 ran the agent as a scheduled task: it goes, the service replaces it.
  nsExec::Exec 'schtasks.exe /Delete /F /TN "Outpost Agent"'
  CreateDirectory "${OUTPOST_DATA}"

  ClearErrors
  ${GetParameters} $R0
  ${GetOptions} $R0 "/SERVER=" $R1
  ${IfNot} ${Errors}
    ${WordReplace} "${OUTPOST_DATA}" "\" "/" "+" $R4
    FileOpen $R5 "${OUTPOST_DATA}\agent.json" w
    FileWrite $R5 '{"server": "$R1"'
    ClearErrors
    ${GetOptions} $R0 "/TOKEN_FILE=" $R2
    ${IfNot} ${Errors}
      CopyFiles /SILENT "$R2" "${OUTPOST_DATA}\enrol-token"
      !insertmacro outpostRestrict "${OUTPOST_DATA}\enrol-token"
      FileWrite $R5 ', "tokenFile": "$R4/enrol-token"'
    ${EndIf}
    ClearErrors
    ${GetOptions} $R0 "/CA_FILE=" $R3
    ${IfNot} ${Errors}
      CopyFiles /SILENT "$R3" "${OUTPOST_DATA}\ca.pem"
      FileWrite $R5 ', "caFile": "$R4/ca.pem"'
    ${EndIf}
    FileWrite $R5 '}$\r$\n'
    FileClose $R5
    !insertmacro outpostRestrict "${OUTPOST_DATA}\agent.json"
  ${ElseIfNot} ${FileExists} "${OUTPOST_DATA}\agent.json"
    DetailPrint "Outpost: no /SERVER= given and no ${OUTPOST_DATA}\agent.json: the agent waits for its settings."
  ${EndIf}

  ; Register (again, on an upgrade: the old uninstaller removed it) and start the service.
  nsExec::ExecToLog '"${OUTPOST_WINSW}" install'
  nsExec::ExecToLog 'sc.exe config ${OUTPOST_SERVICE} start= delayed-auto obj= LocalSystem'
  nsExec::ExecToLog 'sc.exe failure ${OUTPOST_SERVICE} reset= 3600 actions= restart/10000/restart/30000/restart/60000'
  nsExec::ExecToLog 'sc.exe failureflag ${OUTPOST_SERVICE} 1'
  nsExec::ExecToLog '"${OUTPOST_WINSW}" start'

  ; The tray at every user's logon.
  WriteRegStr HKLM "${OUTPOST_RUN_KEY}" "Outpost" '"$INSTDIR\Outpost.exe"'
!macroend

!macro customUnInstall
  nsExec::ExecToLog '"${OUTPOST_WINSW}" stop'
  nsExec::ExecToLog '"${OUTPOST_WINSW}" uninstall'
  ${IfNot} ${isUpdated}
    DeleteRegValue HKLM "${OUTPOST_RUN_KEY}" "Outpost"
    ; The enrolment secret goes; the device's state stays (a reinstall is the same device) unless
    ; the uninstaller runs with --delete-app-data.
    Delete "${OUTPOST_DATA}\enrol-token"
    ClearErrors
    ${GetParameters} $R0
    ${GetOptions} $R0 "--delete-app-data" $R1
    ${IfNot} ${Errors}
      RMDir /r "${OUTPOST_DATA}"
    ${EndIf}
  ${EndIf}
!macroend
