;; Pli: the Windows installer (NSIS 3, Modern UI 2, French).
;;
;; Per-user install, no administrator rights: qutebrowser's NsisMultiUser model reduced to the
;; current user (STYLE.md §8).
;;   program        $LOCALAPPDATA\Programs\Pli   pli.exe, _internal\ (the PyInstaller onedir
;;                                               folder), uninstall.exe
;;   shortcut       the user's Start menu (Pli.lnk)
;;   uninstaller    HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Pli
;;   user data      $LOCALAPPDATA\Pli (platformdirs.user_data_dir("Pli", "Pli", roaming=False)
;;                  is its Pli subfolder): the encrypted mail archive, settings, logs. Never
;;                  touched by the installer; the uninstaller keeps it unless the user ticks
;;                  "delete my data" (or passes /DELETEDATA to a silent uninstall).
;;
;; Built by packaging/build.py --installer (see installer/README.md):
;;   makensis -DVERSION=0.1.0 [-DVERSION_NUMERIC=0.1.0.0] [-DSOURCE_DIR=..\dist\pli]
;;            [-DOUTFILE=..\dist\pli-0.1.0-setup.exe] [-DSIGN_COMMAND=`signtool sign ... "%1"`]
;;            [-DTARGET=amd64-unicode]
;;            installer\pli.nsi
;; This file is UTF-8 with a byte order mark: makensis then reads the French text correctly
;; on Windows and on Linux alike.

Unicode true
!ifdef TARGET
  ; The release uses the default x86-unicode stubs (official NSIS builds have no others); the
  ; tests build amd64-unicode to run the installer under a 64-bit-only Wine.
  Target ${TARGET}
!endif
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "VERSION is not defined: makensis -DVERSION=x.y.z (packaging/build.py passes it)"
!endif
!ifndef VERSION_NUMERIC
  !define VERSION_NUMERIC "${VERSION}.0"
!endif
!ifndef SOURCE_DIR
  !define SOURCE_DIR "..\dist\pli"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\pli-${VERSION}-setup.exe"
!endif
!ifdef SIGN_COMMAND
  ; Authenticode: the uninstaller is signed when makensis writes it into the installer (else
  ; uninstall.exe would be the one unsigned program on the user's disk), then the installer.
  ; "%1" in the command is the file; a non-zero exit status fails the build.
  !uninstfinalize `${SIGN_COMMAND}` = 0
  !finalize `${SIGN_COMMAND}` = 0
!endif

!define APP_NAME "Pli"
!define APP_EXE "pli.exe"          ; the command line (and the window without arguments)
!define APP_GUI_EXE "pli-gui.exe"  ; the window, without a console: shortcuts point here
!define PUBLISHER "Pli" ; TODO(release): the editor's legal name (packaging/app.spec too)
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Pli"
!define DATA_DIR "$LOCALAPPDATA\Pli"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Pli"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

!include MUI2.nsh
!include LogicLib.nsh
!include nsDialogs.nsh
!include FileFunc.nsh
!include x64.nsh
!include Sections.nsh

Var DeleteData         ; "1": the uninstaller also deletes DATA_DIR
Var DeleteDataCheckbox

!define MUI_ABORTWARNING
!define MUI_UNABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "licence-fr.txt"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
; Finish page: "Lancer Pli" (ticked), run as the user, never elevated (the installer is not).
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Lancer Pli"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPageShow un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_UNPAGE_FINISH

!insertmacro MUI_LANGUAGE "French"

VIProductVersion "${VERSION_NUMERIC}"
VIFileVersion "${VERSION_NUMERIC}"
VIAddVersionKey /LANG=${LANG_FRENCH} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_FRENCH} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_FRENCH} "LegalCopyright" "© ${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_FRENCH} "FileDescription" "Installation de ${APP_NAME} ${VERSION}"
VIAddVersionKey /LANG=${LANG_FRENCH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_FRENCH} "ProductVersion" "${VERSION}"

Function .onInit
  SetShellVarContext current
  ; The bundle is 64-bit Python: stop here rather than install a program that cannot start.
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "Pli nécessite une version 64 bits de Windows." /SD IDOK
    Abort
  ${EndIf}
  Call SelectDesktopFromCommandLine
FunctionEnd

Section "Pli" SectionProgram
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An update replaces the whole program: a file an older version had and this one lacks must
  ; not stay behind in _internal, where Python could still import it.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SOURCE_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_GUI_EXE}" "" "$INSTDIR\${APP_GUI_EXE}" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_GUI_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

; Optional (unticked): a shortcut on the desktop. Silent installs: /DESKTOP ticks it.
Section /o "Raccourci sur le Bureau" SectionDesktop
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_GUI_EXE}" "" "$INSTDIR\${APP_GUI_EXE}" 0
SectionEnd

; Silent installs: /DESKTOP adds the desktop shortcut (unticked by default).
Function SelectDesktopFromCommandLine
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/DESKTOP" $1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SectionDesktop}
  ${EndIf}
FunctionEnd

Function un.onInit
  SetShellVarContext current
  StrCpy $DeleteData 0
  ; Silent uninstall (/S) keeps the data too, unless /DELETEDATA is given explicitly.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/DELETEDATA" $R1
  ${IfNot} ${Errors}
    StrCpy $DeleteData 1
  ${EndIf}
FunctionEnd

Function un.DataPageShow
  !insertmacro MUI_HEADER_TEXT "Vos données" "Conserver ou supprimer votre archive de messagerie."
  nsDialogs::Create 1018
  Pop $0
  ${If} $0 == error
    Abort
  ${EndIf}
  ${NSD_CreateLabel} 0 0 100% 44u "Votre archive de messagerie chiffrée, vos réglages et vos journaux se trouvent dans :$\r$\n${DATA_DIR}$\r$\n$\r$\nIls sont conservés : si vous réinstallez Pli, il les retrouvera."
  Pop $0
  ; Unticked by default: keeping the archive is the safe answer (STYLE.md §8).
  ${NSD_CreateCheckbox} 0 52u 100% 12u "&Supprimer aussi mes données (archive, réglages, journaux)"
  Pop $DeleteDataCheckbox
  ${If} $DeleteData == 1
    ${NSD_Check} $DeleteDataCheckbox
  ${EndIf}
  ${NSD_CreateLabel} 0 72u 100% 56u "Attention : l'archive contient des données de santé (messages, documents, informations sur vos patients). Leur suppression est définitive et ne peut pas être annulée. Avant de cocher cette case, assurez-vous d'avoir conservé ce que vos obligations de conservation exigent, par exemple en exportant les documents nécessaires."
  Pop $0
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $DeleteDataCheckbox $0
  ${If} $0 == ${BST_CHECKED}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "Supprimer définitivement votre archive de messagerie et toutes vos données Pli ?$\r$\n$\r$\n${DATA_DIR}$\r$\n$\r$\nCette opération est irréversible." /SD IDNO IDYES confirmed
    Abort ; stay on the page
    confirmed:
    StrCpy $DeleteData 1
  ${Else}
    StrCpy $DeleteData 0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ; Only what the installer put there: a folder the user chose may hold other files.
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${APP_GUI_EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"

  ${If} $DeleteData == 1
    DetailPrint "Suppression des données : ${DATA_DIR}"
    RMDir /r "${DATA_DIR}"
    ${If} ${FileExists} "${DATA_DIR}\*"
      MessageBox MB_OK|MB_ICONEXCLAMATION "Certaines données n'ont pas pu être supprimées (Pli est-il encore ouvert ?) :$\r$\n${DATA_DIR}" /SD IDOK
    ${EndIf}
  ${Else}
    DetailPrint "Vos données sont conservées : ${DATA_DIR}"
  ${EndIf}
SectionEnd
