"""A small request record that exists only in tests: it exercises the workflow kit and the approval
engine end to end, the way a real module (purchases, requisitions) will use them."""
