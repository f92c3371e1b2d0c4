"""Lua scripting (EVAL, FUNCTION) on lupa's Lua 5.1 runtime."""
