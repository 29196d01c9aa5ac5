/** Test-only classes that break the core's architecture rules on purpose, to prove the rules can fail. */
package dev.minutework.broker.archfixture;
