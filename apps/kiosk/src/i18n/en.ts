/** English texts. `de.ts` must have exactly these keys (a unit test checks). Placeholders: `{name}`. */
export const en = {
  'app.title': 'Atrium kiosk',
  'app.starting': 'Starting…',

  'language.label': 'Language',
  'language.en': 'English',
  'language.de': 'Deutsch',

  'pairing.title': 'Pair this kiosk',
  'pairing.instructions': 'In the Atrium admin app, open Kiosks → Pair a kiosk and enter this code:',
  'pairing.codeLabel': 'Pairing code',
  'pairing.expiresIn': 'A new code appears in {time}.',
  'pairing.waiting': 'Waiting for a receptionist to confirm…',
  'pairing.loading': 'Getting a pairing code…',
  'pairing.unreachable': 'The server cannot be reached. Trying again…',
  'pairing.paired': 'Paired as “{name}”. Starting…',

  'idle.greeting': 'Welcome to {site}',
  'idle.greetingNoSite': 'Welcome',
  'idle.title': 'Scan your QR code',
  'idle.hint': 'You find it in your invitation. Tap the button and hold the code in front of the camera.',
  'idle.scan': 'Scan QR code',
  'idle.checkOut': 'Check out',
  'idle.walkIn': 'No QR code? Sign in here',

  'scan.title.check_in': 'Hold your QR code in front of the camera',
  'scan.title.check_out': 'Check out: hold your QR code in front of the camera',
  'scan.starting': 'Starting the camera…',
  'scan.videoLabel': 'Camera view',
  'scan.torchOn': 'Light on',
  'scan.torchOff': 'Light off',
  'scan.cancel': 'Cancel',
  'scan.checking': 'Checking your code…',

  'welcome.checking': 'Checking you in, {name}…',
  'welcome.title': 'Welcome, {name}!',
  'welcome.titleNoName': 'Welcome!',
  'welcome.checkedIn': 'You are checked in. Enjoy your visit!',
  'welcome.wifiTitle': 'Guest WiFi',
  'welcome.network': 'Network',
  'welcome.username': 'Username',
  'welcome.password': 'Password',
  'welcome.validUntil': 'Valid until {time}',
  'welcome.offline':
    'You are checked in. This kiosk is offline right now: your WiFi details will appear here as soon as it is back online — or ask at reception.',

  'checkout.checking': 'Checking you out…',
  'checkout.title': 'Goodbye, {name}!',
  'checkout.titleNoName': 'Goodbye!',
  'checkout.done': 'You are checked out and your guest WiFi access has ended. Thank you for visiting.',
  'checkout.queued': 'Your check-out is saved and will be sent as soon as the kiosk is back online.',

  'walkin.title': 'Sign in without a QR code',
  'walkin.intro': 'Please tell us who you are. Fields marked “optional” can stay empty.',
  'walkin.name': 'Your name',
  'walkin.email': 'Email',
  'walkin.company': 'Company',
  'walkin.host': 'Who are you visiting?',
  'walkin.optional': 'optional',
  'walkin.submit': 'Sign in',
  'walkin.cancel': 'Cancel',
  'walkin.nameRequired': 'Please enter your name.',
  'walkin.emailInvalid': 'This does not look like an email address.',
  'walkin.privacy': 'Your details are used only to manage your visit.',

  'result.returning': 'Back to the start in {seconds} s',
  'result.stay': 'Stay on this screen',
  'result.done': 'Done',
  'result.tryAgain': 'Try again',
  'result.errorTitle': 'Sorry, that did not work',

  'error.invalid_token': 'This is not a valid Atrium QR code. Please use the code from your invitation.',
  'error.token_expired': 'This QR code has expired. Please ask at reception.',
  'error.token_not_yet_valid':
    'This QR code is not valid yet. Please come back closer to your arrival time or ask at reception.',
  'error.wrong_site': 'This QR code is for a different location. Please check the address in your invitation.',
  'error.already_used': 'This QR code has already been used to check in. Please ask at reception.',
  'error.visit_cancelled': 'This visit has been cancelled. Please ask at reception.',
  'error.not_checked_in': 'You are not checked in, so there is nothing to check out.',
  'error.kiosk_must_reconnect':
    'This kiosk must reconnect to the server before it can accept QR codes. Please ask at reception.',
  'error.kiosk_revoked': 'This kiosk is no longer paired. Please ask at reception.',
  'error.walk_ins_disabled': 'Signing in without a QR code is not possible here. Please ask at reception.',
  'error.not_found': 'We could not find this visit. Please ask at reception.',
  'error.rate_limited':
    'Too many sign-ins on this kiosk just now. Please wait a minute and try again, or ask at reception.',
  'error.camera_denied':
    'The camera is blocked, so codes cannot be scanned. Staff: allow camera access for this page in the browser settings.',
  'error.no_camera': 'No camera was found on this device. Please ask at reception.',
  'error.camera_busy': 'The camera is being used by another app. Please try again or ask at reception.',
  'error.camera_failed': 'The camera could not be started. Please try again or ask at reception.',
  'error.scanner_unavailable': 'The scanner could not be loaded. Please ask at reception.',
  'error.unknown': 'Something went wrong. Please ask at reception.',

  'status.online': 'Online',
  'status.offline': 'Offline',
  'status.unreachable': 'Server not reachable',
  'status.queued': 'waiting to sync',
  'status.syncing': 'Syncing…',
  'status.rejected': '{count} not accepted',
  'status.kiosk': 'Kiosk “{name}”',

  'staff.clockSkew':
    'Staff: this tablet’s clock is {minutes} min off from the server. Turn on automatic date and time in the system settings.',
  'staff.configStale':
    'Staff: no contact with the server since {time}. QR codes are refused until the kiosk reconnects.',
  'staff.noConfig': 'Staff: the kiosk has not loaded its settings yet. Connect it to the network.',
  'staff.rejectionsTitle': 'Scans the server did not accept',
  'staff.rejectionsHint':
    'These were saved on this kiosk (usually while it was offline) and refused when sent. Please follow up at reception.',
  'staff.rejectionsEmpty': 'Nothing to follow up.',
  'staff.rejectionsClear': 'Clear the list',
  'staff.close': 'Close',
  'staff.kind.check_in': 'Check-in',
  'staff.kind.check_out': 'Check-out',
  'staff.kind.walk_in': 'Walk-in',
};

export type Messages = typeof en;
export type MessageKey = keyof Messages;
