/**
 * Durable jobs on PostgreSQL (db-scheduler): each due run of a job is taken by exactly one broker
 * process of those sharing the database.
 */
package dev.minutework.broker.server.jobs;
