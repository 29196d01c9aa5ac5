/**
 * Test-only classes that break the server's architecture rules on purpose, to prove the rules can
 * fail ({@code ServerArchitectureTest}, {@code TableOwnershipTest}). Outside
 * {@code dev.minutework.broker.server}, so the application's component scan never registers them;
 * the rules' own runs import main classes and read main sources only.
 */
package dev.minutework.broker.archfixture.server;
