// The Slack screens' words are the staff texts every staff channel shares (locales/<lng>/staff.json); these
// names stay because the Slack code and the keys stored in outbox rows use them.
export {
  isStaffKey as isLabelKey,
  type StaffKey as LabelKey,
  staffText as label,
} from '../../i18n/staff.js';
