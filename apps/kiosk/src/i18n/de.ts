import type { Messages } from './en';

/** Deutsche Texte: dieselben Schlüssel wie `en.ts` (ein Unit-Test prüft das), Anrede „Sie“. */
export const de: Messages = {
  'app.title': 'Atrium-Kiosk',
  'app.starting': 'Wird gestartet …',

  'language.label': 'Sprache',
  'language.en': 'English',
  'language.de': 'Deutsch',

  'pairing.title': 'Diesen Kiosk koppeln',
  'pairing.instructions': 'Öffnen Sie in der Atrium-Verwaltung „Kiosks → Kiosk koppeln“ und geben Sie diesen Code ein:',
  'pairing.codeLabel': 'Kopplungscode',
  'pairing.expiresIn': 'In {time} erscheint ein neuer Code.',
  'pairing.waiting': 'Warten auf die Bestätigung durch den Empfang …',
  'pairing.loading': 'Kopplungscode wird geholt …',
  'pairing.unreachable': 'Der Server ist nicht erreichbar. Neuer Versuch läuft …',
  'pairing.paired': 'Gekoppelt als „{name}“. Wird gestartet …',

  'idle.greeting': 'Willkommen bei {site}',
  'idle.greetingNoSite': 'Willkommen',
  'idle.title': 'Scannen Sie Ihren QR-Code',
  'idle.hint': 'Sie finden ihn in Ihrer Einladung. Tippen Sie auf die Taste und halten Sie den Code vor die Kamera.',
  'idle.scan': 'QR-Code scannen',
  'idle.checkOut': 'Auschecken',
  'idle.walkIn': 'Kein QR-Code? Hier anmelden',

  'scan.title.check_in': 'Halten Sie Ihren QR-Code vor die Kamera',
  'scan.title.check_out': 'Auschecken: Halten Sie Ihren QR-Code vor die Kamera',
  'scan.hint': 'Halten Sie den Code etwa 20 cm (eine Handlänge) vor die Kamera und bewegen Sie ihn nicht.',
  'scan.starting': 'Kamera wird gestartet …',
  'scan.videoLabel': 'Kamerabild',
  'scan.torchOn': 'Licht an',
  'scan.torchOff': 'Licht aus',
  'scan.cancel': 'Abbrechen',
  'scan.checking': 'Ihr Code wird geprüft …',

  'welcome.checking': 'Sie werden eingecheckt, {name} …',
  'welcome.title': 'Willkommen, {name}!',
  'welcome.titleNoName': 'Willkommen!',
  'welcome.checkedIn': 'Sie sind eingecheckt. Einen schönen Aufenthalt!',
  'welcome.wifiTitle': 'Gäste-WLAN',
  'welcome.network': 'Netzwerk',
  'welcome.username': 'Benutzername',
  'welcome.password': 'Passwort',
  'welcome.validUntil': 'Gültig bis {time}',
  'welcome.offline':
    'Sie sind eingecheckt. Dieser Kiosk ist gerade offline und kann Ihre Gast-WLAN-Zugangsdaten nicht anzeigen. Sie erhalten sie am Empfang.',

  'checkout.checking': 'Sie werden ausgecheckt …',
  'checkout.title': 'Auf Wiedersehen, {name}!',
  'checkout.titleNoName': 'Auf Wiedersehen!',
  'checkout.done': 'Sie sind ausgecheckt, Ihr Gäste-WLAN-Zugang ist beendet. Vielen Dank für Ihren Besuch.',
  'checkout.queued': 'Ihr Auschecken ist gespeichert und wird gesendet, sobald der Kiosk wieder online ist.',

  'walkin.title': 'Ohne QR-Code anmelden',
  'walkin.intro': 'Bitte sagen Sie uns, wer Sie sind. Felder mit „optional“ dürfen leer bleiben.',
  'walkin.name': 'Ihr Name',
  'walkin.email': 'E-Mail',
  'walkin.company': 'Firma',
  'walkin.host': 'Wen besuchen Sie?',
  'walkin.optional': 'optional',
  'walkin.submit': 'Anmelden',
  'walkin.cancel': 'Abbrechen',
  'walkin.nameRequired': 'Bitte geben Sie Ihren Namen ein.',
  'walkin.emailInvalid': 'Das sieht nicht nach einer E-Mail-Adresse aus.',
  'walkin.privacy': 'Ihre Angaben werden nur für die Verwaltung Ihres Besuchs verwendet.',

  'result.returning': 'Zurück zum Start in {seconds} s',
  'result.stay': 'Auf dieser Seite bleiben',
  'result.done': 'Fertig',
  'result.tryAgain': 'Noch einmal versuchen',

  'refusal.alreadyIn': 'Sie sind bereits eingecheckt',
  'refusal.notIn': 'Sie sind nicht eingecheckt',
  'refusal.notYet': 'Ihr Besuch hat noch nicht begonnen',
  'refusal.validFrom': 'Sie können ab {time} einchecken',
  'refusal.expired': 'Dieser Code ist abgelaufen',
  'refusal.cancelled': 'Dieser Besuch wurde abgesagt',
  'refusal.otherSite': 'Dieser Code gilt für einen anderen Standort',
  'refusal.notOurs': 'Das ist kein Atrium-Code',
  'refusal.camera': 'Die Kamera funktioniert nicht',
  'refusal.busy': 'Bitte warten Sie einen Moment',
  'refusal.askReception': 'Bitte fragen Sie am Empfang',
  'refusal.checkOutInstead': 'Stattdessen auschecken',
  'refusal.checkInInstead': 'Stattdessen einchecken',

  'error.invalid_token': 'Das ist kein gültiger Atrium-QR-Code. Bitte verwenden Sie den Code aus Ihrer Einladung.',
  'error.token_expired': 'Dieser QR-Code ist abgelaufen. Bitte fragen Sie am Empfang.',
  'error.token_not_yet_valid':
    'Dieser QR-Code ist noch nicht gültig. Bitte kommen Sie näher an Ihrer Ankunftszeit wieder oder fragen Sie am Empfang.',
  'error.wrong_site':
    'Dieser QR-Code gilt für einen anderen Standort. Bitte prüfen Sie die Adresse in Ihrer Einladung.',
  'error.already_used': 'Mit diesem QR-Code wurde bereits eingecheckt. Wenn Sie gehen, checken Sie stattdessen aus.',
  'error.visit_cancelled': 'Dieser Besuch wurde abgesagt. Bitte fragen Sie am Empfang.',
  'error.not_checked_in': 'Sie sind noch nicht eingecheckt, daher gibt es nichts auszuchecken.',
  'error.kiosk_must_reconnect':
    'Dieser Kiosk muss sich erst wieder mit dem Server verbinden, bevor er QR-Codes annehmen kann. Bitte fragen Sie am Empfang.',
  'error.kiosk_revoked': 'Dieser Kiosk ist nicht mehr gekoppelt. Bitte fragen Sie am Empfang.',
  'error.walk_ins_disabled': 'Eine Anmeldung ohne QR-Code ist hier nicht möglich. Bitte fragen Sie am Empfang.',
  'error.not_found': 'Wir konnten diesen Besuch nicht finden. Bitte fragen Sie am Empfang.',
  'error.rate_limited':
    'Gerade gab es zu viele Anmeldungen an diesem Kiosk. Bitte warten Sie eine Minute und versuchen Sie es erneut, oder fragen Sie am Empfang.',
  'error.camera_denied':
    'Die Kamera ist gesperrt, daher können keine Codes gescannt werden. Personal: Erlauben Sie in den Browser-Einstellungen den Kamerazugriff für diese Seite.',
  'error.no_camera': 'Auf diesem Gerät wurde keine Kamera gefunden. Bitte fragen Sie am Empfang.',
  'error.camera_busy':
    'Die Kamera wird von einer anderen App verwendet. Bitte versuchen Sie es noch einmal oder fragen Sie am Empfang.',
  'error.camera_failed':
    'Die Kamera konnte nicht gestartet werden. Bitte versuchen Sie es noch einmal oder fragen Sie am Empfang.',
  'error.scanner_unavailable': 'Der Scanner konnte nicht geladen werden. Bitte fragen Sie am Empfang.',
  'error.unknown': 'Etwas ist schiefgegangen. Bitte fragen Sie am Empfang.',

  'status.online': 'Online',
  'status.offline': 'Offline',
  'status.unreachable': 'Server nicht erreichbar',
  'status.queued': 'warten auf Übertragung',
  'status.syncing': 'Wird übertragen …',
  'status.staff': 'Personal: {count} zu klären',
  'status.kiosk': 'Kiosk „{name}“',

  'staff.clockSkew':
    'Personal: Die Uhr dieses Tablets weicht um {minutes} min von der des Servers ab. Schalten Sie in den Systemeinstellungen „Datum und Uhrzeit automatisch“ ein.',
  'staff.configStale':
    'Personal: Seit {time} kein Kontakt zum Server. QR-Codes werden abgelehnt, bis der Kiosk wieder verbunden ist.',
  'staff.noConfig':
    'Personal: Der Kiosk hat seine Einstellungen noch nicht geladen. Verbinden Sie ihn mit dem Netzwerk.',
  'staff.rejectionsTitle': 'Vom Server nicht angenommene Scans',
  'staff.rejectionsHint':
    'Diese wurden auf dem Kiosk gespeichert (meist während er offline war) und beim Senden abgelehnt. Bitte am Empfang nachfassen.',
  'staff.rejectionsEmpty': 'Nichts nachzufassen.',
  'staff.rejectionsClear': 'Liste leeren',
  'staff.close': 'Schließen',
  'staff.unlockTitle': 'Nur für Personal',
  'staff.unlockHint': 'Geben Sie die Personal-PIN dieses Standorts ein, um die vom Server abgelehnten Scans zu sehen.',
  'staff.pin': 'Personal-PIN',
  'staff.unlock': 'Entsperren',
  'staff.cancel': 'Abbrechen',
  'staff.pinWrong': 'Das ist nicht die Personal-PIN.',
  'staff.pinNotSet':
    'Für diesen Standort ist keine Personal-PIN gesetzt. Ein Admin legt sie in Atrium unter Einstellungen fest.',
  'staff.pinRateLimited': 'Zu viele falsche PINs. Bitte warten Sie einige Minuten.',
  'staff.pinOffline': 'Der Kiosk muss online sein, um die PIN zu prüfen.',
  'staff.pinFailed': 'Die PIN konnte nicht geprüft werden. Bitte versuchen Sie es erneut.',
  'staff.kind.check_in': 'Einchecken',
  'staff.kind.check_out': 'Auschecken',
  'staff.kind.walk_in': 'Anmeldung ohne Code',
};
