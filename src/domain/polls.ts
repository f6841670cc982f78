// A poll's items as stored and served.

export interface PollItem {
  key: string;
  label: string;
}
