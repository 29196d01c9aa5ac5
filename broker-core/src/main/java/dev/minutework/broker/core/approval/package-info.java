/** Which human approval covers which execution (invariant 3). */
package dev.minutework.broker.core.approval;
