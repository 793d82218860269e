"""What maintenance registers with core: navigation, to-dos, place actions, attachments, settings pages."""
