"""Engine components (hooks, optimizer constructors): added with the task issues."""
